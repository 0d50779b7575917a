package dev.limiter.policy;

import dev.limiter.ManualClock;
import dev.limiter.policy.shipped.NylasV3;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gate that a thread has evaluated on, and that is then dropped, is garbage: the evaluator the
 * gate keeps for that thread must not keep the gate (and through it its engines) alive for as long
 * as the thread lives. A gateway that reloads its policy by building new gates would otherwise
 * hold every old gate on every worker thread.
 */
class GateRetentionTest {

    @ParameterizedTest(name = "closed before dropped: {0}")
    @ValueSource(booleans = {true, false})
    void aDroppedGateIsCollectedAfterThisThreadEvaluatedOnIt(boolean closeFirst) {
        WeakReference<PolicyGate> gate = evaluateOnceAndDrop(closeFirst);
        for (int i = 0; i < 50 && gate.get() != null; i++) {
            System.gc();
        }
        assertNull(gate.get(), "the gate is still reachable after 50 collections");
    }

    private static WeakReference<PolicyGate> evaluateOnceAndDrop(boolean close) {
        PolicyGate gate = PolicyGate.of(NylasV3.policy(), new ManualClock());
        Verdict v = gate.evaluate(Request.of("GET", "/v3/grants/g1/messages").build());
        assertTrue(v.allowed());
        v.complete();
        v = gate.evaluateAsync(Request.of("GET", "/v3/grants/g1/messages").build()).join();
        v.complete();
        if (close) {
            gate.close();
        }
        return new WeakReference<>(gate);
    }
}
