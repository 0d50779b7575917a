package dev.limiter.redis;

import dev.limiter.Limit;

import java.util.List;

/**
 * Cardinality in Redis: distinct members admitted under one key &le; N, decided by
 * {@code cardinality.lua} exactly as the engine's kernel decides; requests name a member, not permits.
 */
final class CardinalityScript extends LimitScript {
    private final long permits;

    CardinalityScript(Limit limit) {
        super(limit, "cardinality.lua");
        this.permits = limit.permits();
    }

    /** Not used: a cardinality request names a member (see {@link #memberArguments}). */
    @Override
    String[] arguments(String time, long graceMillis, long p) {
        throw new IllegalArgumentException("limit '" + limit.name() + "' admits members, not permits");
    }

    /** @return ARGV that admit {@code member} */
    String[] memberArguments(long graceMillis, String member) {
        return new String[] {"0", Long.toString(graceMillis), Long.toString(permits), member};
    }

    /** @return the hash of admitted members that belongs to the parent state at {@code parentKey} */
    static String membersKey(String parentKey) {
        return parentKey + ":members";
    }

    @Override
    RedisDecision decide(List<?> reply, long p, String key) {
        long used = count(reply, 1);
        switch ((String) reply.get(0)) {
            case "2":
                return allowed(limit, Math.max(0, permits - used), RedisDecision.NEVER);
            case "1":
                return allowed(limit, permits - used - 1, RedisDecision.NEVER);
            case "0":
                return limited(limit, Math.max(0, permits - used), RedisDecision.NEVER, RedisDecision.NEVER);
            default:
                throw new IllegalStateException("unknown cardinality reply " + reply);
        }
    }
}
