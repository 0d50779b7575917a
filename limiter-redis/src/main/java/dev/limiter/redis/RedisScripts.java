package dev.limiter.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/*
 * The request path to Redis: one EVALSHA per call on one shared connection.
 *
 * A NOSCRIPT reply (the server restarted or flushed its script cache) loads the script again with
 * SCRIPT LOAD and sends the call once more: a NOSCRIPT call ran nothing, so the script still runs
 * once. Every other failure - connection refused or lost, no reply within the time-out, an error
 * reply, a reply the caller cannot read - becomes a RedisBackendException handed to the caller's
 * failure function, so the returned stage always completes normally.
 */
/** Limit scripts called on one Redis connection, with NOSCRIPT reload, a time-out and failures as values; thread-safe. */
final class RedisScripts {
    private final RedisAsyncCommands<String, String> commands;
    private final long timeoutNanos;

    RedisScripts(RedisAsyncCommands<String, String> commands, Duration timeout) {
        this.commands = commands;
        this.timeoutNanos = timeout.toNanos();
    }

    /** @return how long a call waits for Redis */
    long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * Runs {@code script} on {@code key} with {@code args}.
     *
     * @return a stage that completes normally with {@code onReply}'s result, or with {@code onFailure}'s
     *     when Redis did not answer as the script does
     */
    <T> CompletionStage<T> call(LuaScript script, String key, String[] args, Function<List<Object>, T> onReply,
                                Function<RedisBackendException, T> onFailure) {
        return call(script, new String[] {key}, args, onReply, onFailure);
    }

    /** As {@link #call(LuaScript, String, String[], Function, Function)} for a script over several keys of one hash tag. */
    <T> CompletionStage<T> call(LuaScript script, String[] keys, String[] args, Function<List<Object>, T> onReply,
                                Function<RedisBackendException, T> onFailure) {
        CompletableFuture<List<Object>> reply;
        try {
            reply = evalSha(script, keys, args).toCompletableFuture();
        } catch (RuntimeException sendFailed) {
            reply = CompletableFuture.failedFuture(sendFailed);
        }
        String limit = script.label() + ": ";
        return reply.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).handle((r, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                String what = cause instanceof TimeoutException ? "no reply within the time-out" : String.valueOf(cause.getMessage());
                return onFailure.apply(new RedisBackendException(limit + "Redis did not decide: " + what, cause));
            }
            try {
                return onReply.apply(r);
            } catch (RuntimeException malformed) {
                return onFailure.apply(new RedisBackendException(limit + "unexpected script reply " + r, malformed));
            }
        });
    }

    private CompletionStage<List<Object>> evalSha(LuaScript script, String[] keys, String[] args) {
        CompletionStage<List<Object>> first = commands.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
        return first.handle((r, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(r);
            }
            if (unwrap(error) instanceof RedisNoScriptException) {
                return commands.scriptLoad(script.source())
                        .thenCompose(sha -> commands.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args));
            }
            return CompletableFuture.<List<Object>>failedFuture(error);
        }).thenCompose(stage -> stage);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
