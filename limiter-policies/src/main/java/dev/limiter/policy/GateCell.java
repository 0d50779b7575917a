package dev.limiter.policy;

import dev.limiter.Clock;

/**
 * What an evaluator reads of its gate on every request: the current {@link GateState}, whether
 * the gate is closed, and the clock.
 *
 * <p>It is a separate object so that an evaluator never references its {@link PolicyGate}. The
 * gate keeps one evaluator per thread in a {@link ThreadLocal}, whose map holds each value
 * strongly for as long as the thread lives; a value that referenced the gate would keep the gate
 * (and its engines) alive on every thread that ever used it, long after the gate was dropped.
 * This cell references neither the gate nor its thread-local, so a dropped gate is collected and
 * its entries go stale.
 *
 * <p>Memory ordering: {@code state} and {@code closed} are volatile. A swap publishes a fully
 * built state with one volatile store; {@link #close()} stores {@code closed} before the gate
 * closes its engines, so a request that finds an open gate may still meet a closed engine, which
 * {@link GateState#anyEngineClosed()} reports.
 */
final class GateCell {
    private final Clock clock;
    private volatile GateState state;
    private volatile boolean closed;

    GateCell(Clock clock, GateState first) {
        this.clock = clock;
        this.state = first;
    }

    Clock clock() {
        return clock;
    }

    GateState state() {
        return state;
    }

    void swap(GateState next) {
        state = next;
    }

    void close() {
        closed = true;
    }

    /** @return whether no request can be decided on {@code s}: the gate or one of its engines is closed */
    boolean isClosed(GateState s) {
        return closed || s.anyEngineClosed();
    }
}
