package dev.limiter.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * The all-or-nothing script over several limits of one request: the prelude, the step functions of
 * the token-bucket, window and quota scripts, and {@code composite.lua}; one text for every
 * composite, so one SCRIPT LOAD.
 */
final class CompositeScript implements LuaScript {
    static final CompositeScript INSTANCE = new CompositeScript();

    private final String source;
    private final String sha;

    private CompositeScript() {
        StringBuilder text = new StringBuilder(LimitScript.prelude());
        for (String step : List.of("gcra.lua", "fixed_window.lua", "sliding_window.lua", "quota.lua", "composite.lua")) {
            text.append('\n').append(LimitScript.resource(step));
        }
        this.source = text.toString();
        this.sha = LimitScript.sha1(source);
    }

    /** @return whether {@code script}'s step can take part in a composite */
    static boolean composable(LimitScript script) {
        return script.stepFunction != null;
    }

    /** @return ARGV for {@code permits} of each limit in {@code scripts}, in order, at {@code time} */
    static String[] arguments(List<LimitScript> scripts, String time, long graceMillis, long permits) {
        List<String> args = new ArrayList<>(List.of(time, Long.toString(graceMillis)));
        for (LimitScript script : scripts) {
            String[] own = script.arguments(time, graceMillis, permits);
            args.add(script.stepFunction.substring(0, script.stepFunction.length() - "_step".length()));
            args.add(Integer.toString(own.length - 2));
            args.addAll(List.of(own).subList(2, own.length));
        }
        return args.toArray(new String[0]);
    }

    /**
     * @return the denying limit's decision when the reply says one denied, else the decision of the
     *     limit with the fewest permits remaining (the first of equals)
     */
    static RedisDecision decide(List<LimitScript> scripts, List<?> reply, long permits, String key) {
        if ("0".equals(reply.get(0))) {
            int denier = Integer.parseInt((String) reply.get(1)) - 1;
            return scripts.get(denier).decide((List<?>) reply.get(2), permits, key);
        }
        if (reply.size() != scripts.size() + 1) {
            throw new IllegalStateException("expected " + scripts.size() + " replies");
        }
        RedisDecision tightest = null;
        for (int i = 0; i < scripts.size(); i++) {
            RedisDecision d = scripts.get(i).decide((List<?>) reply.get(i + 1), permits, key);
            if (!d.allowed()) {
                throw new IllegalStateException("the commit pass denied limit " + (i + 1) + " that the check admitted");
            }
            if (tightest == null || d.remaining() < tightest.remaining()) {
                tightest = d;
            }
        }
        return tightest;
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
        return "composite";
    }
}
