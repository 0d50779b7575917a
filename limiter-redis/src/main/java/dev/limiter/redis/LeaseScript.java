package dev.limiter.redis;

import java.util.List;

/*
 * The reservation of a leased limit: lease.lua around the algorithm's own step (see the script's
 * comment), and the client half that turns its reply into the request's decision plus the batch the
 * instance grants from afterwards.
 *
 * Per algorithm, what a batch of g permits reserved at Redis time t is valid for:
 *   fixed window    the window Redis counted them in ([k*T, (k+1)*T), k = the stored window);
 *   sliding window  the sub-window Redis counted them in ([u*w, (u+1)*w)): conservative, a later
 *                   sub-window would count them later than Redis did;
 *   token bucket    the stretch [TAT' - g*I, TAT') of the time axis, slot by slot (GcraBatch).
 * The request that triggered the reservation takes its permits first: Redis granted them at t.
 * A denial becomes a DeniedBatch until its retry-after. Quota, concurrency and cardinality are not
 * leased (a quota batch would be held forever; a concurrency permit is held by one request, not
 * spent; a member is not a count).
 */
/** A leased limit's reservation script and the decoding of its reply; immutable. */
final class LeaseScript implements LuaScript {
    /** The request's decision (made by Redis) and the batch left for the instance. */
    record Reservation(RedisDecision decision, PermitBatch batch) {
    }

    final LimitScript base;
    private final String source;
    private final String sha;

    /** @throws IllegalArgumentException when {@code base}'s limit cannot be leased */
    LeaseScript(LimitScript base) {
        this.base = base;
        String call;
        String args = "(6, #ARGV - 5)";
        if (base instanceof GcraScript) {
            GcraScript g = (GcraScript) base;
            if (Long.compareUnsigned(g.tau, 1L << 62) >= 0) {
                throw new IllegalArgumentException("limit '" + base.limit.name() + "': leasing needs burst * interval below 2^62 ns");
            }
            call = "lease_gcra(KEYS[1], decision_time(ARGV[1]), tonumber(ARGV[2]), argv_from" + args
                    + ", w_at(ARGV[5], 1), tonumber(ARGV[3]), w_at(ARGV[4], 1))";
        } else if (base instanceof FixedWindowScript) {
            call = "lease_counted(fixed_window_step, KEYS[1], decision_time(ARGV[1]), tonumber(ARGV[2]), argv_from"
                    + args + ", 3, 4, tonumber(ARGV[3]))";
        } else if (base instanceof SlidingWindowScript && ((SlidingWindowScript) base).unitShift == 0) {
            call = "lease_counted(sliding_window_step, KEYS[1], decision_time(ARGV[1]), tonumber(ARGV[2]), argv_from"
                    + args + ", 4, 5, tonumber(ARGV[3]))";
        } else {
            throw new IllegalArgumentException("limit '" + base.limit.name() + "' (" + base.limit.algorithm()
                    + ") cannot be leased: only token-bucket, fixed-window and sliding-window limits below 2^32 permits are");
        }
        String body = base instanceof GcraScript ? "gcra.lua" : base instanceof FixedWindowScript
                ? "fixed_window.lua" : "sliding_window.lua";
        this.source = LimitScript.prelude() + "\n" + LimitScript.resource(body) + "\n" + LimitScript.resource("lease.lua")
                + "\nreturn " + call + "\n";
        this.sha = LimitScript.sha1(source);
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public String sha() {
        return sha;
    }

    @Override
    public String label() {
        return "lease of limit '" + base.limit.name() + "'";
    }

    /** @return ARGV reserving up to {@code want} permits for a request of {@code need} (need &le; want &le; max) */
    String[] arguments(String time, long graceMillis, long want, long need) {
        String[] step = base.arguments(time, graceMillis, need);
        String[] args = new String[step.length + 3];
        args[0] = step[0];
        args[1] = step[1];
        args[2] = Long.toString(want);
        long interval = base instanceof GcraScript ? ((GcraScript) base).interval : 0;
        args[3] = LimitScript.hex(want * interval);
        args[4] = LimitScript.hex(interval);
        System.arraycopy(step, 2, args, 5, step.length - 2);
        return args;
    }

    /**
     * @param taken the permits the triggering request takes from the batch: {@code need}, or 0 for a
     *     reservation made ahead, whose {@code need} permits stay in the batch
     * @param lo Redis's time minus the local time of the reply (0 in caller time)
     * @param hi Redis's time minus the local time of the send (0 in caller time)
     * @return the request's decision and the batch (or remembered denial) left for the instance
     */
    Reservation reservation(List<?> reply, long need, long taken, String key, long lo, long hi) {
        long now = LimitScript.word(reply, 1);
        if (!LimitScript.admitted(reply)) {
            RedisDecision denial = base.decide(reply, need, key);
            long until = PermitBatch.plus(now, denial.retryAfterNanos());
            return new Reservation(denial, new DeniedBatch(until, need, denial, lo, hi));
        }
        int last = reply.size() - 1;
        long granted = LimitScript.count(reply, last);
        List<?> step = reply.subList(0, last);
        RedisDecision decision = base.decide(step, granted, key);
        PermitBatch batch;
        if (base instanceof GcraScript) {
            GcraScript g = (GcraScript) base;
            long end = PermitBatch.plus(now, LimitScript.word(step, 2));
            long first = end - granted * g.interval;
            batch = new GcraBatch(first + taken * g.interval, end, g.interval, g.tau, lo, hi);
        } else {
            long index = LimitScript.word(step, 2);
            long width = base instanceof FixedWindowScript ? ((FixedWindowScript) base).period
                    : ((SlidingWindowScript) base).width;
            long start = Saturating.multiplySigned(index, width);
            batch = new WindowBatch(start, PermitBatch.plus(start, width), granted - taken, lo, hi);
        }
        return new Reservation(decision, batch);
    }
}
