package dev.limiter.policy;

import dev.limiter.LimiterEngine;
import dev.limiter.TimerStats;

/** The timer figures of a gate's current engines, read at call time; see {@link PolicyGate#timers()}. */
final class GateTimers implements TimerStats {
    private final PolicyGate gate;

    GateTimers(PolicyGate gate) {
        this.gate = gate;
    }

    @Override
    public int pendingTimers() {
        long sum = 0;
        for (LimiterEngine e : gate.state().engines()) {
            sum += e instanceof TimerStats && !e.isClosed() ? ((TimerStats) e).pendingTimers() : 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, sum);
    }

    @Override
    public long reclaimedLeases() {
        long sum = 0;
        for (LimiterEngine e : gate.state().engines()) {
            sum += e instanceof TimerStats ? ((TimerStats) e).reclaimedLeases() : 0;
        }
        return sum;
    }

    @Override
    public long timerLatenessNanos(double percentile) {
        long worst = 0;
        for (LimiterEngine e : gate.state().engines()) {
            worst = Math.max(worst, e instanceof TimerStats ? ((TimerStats) e).timerLatenessNanos(percentile) : 0);
        }
        return worst;
    }
}
