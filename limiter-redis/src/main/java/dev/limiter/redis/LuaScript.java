package dev.limiter.redis;

/** A Lua script as Redis knows it: its text, the SHA-1 that EVALSHA names, and a label for messages. */
interface LuaScript {
    /** @return the whole script text, as SCRIPT LOAD receives it */
    String source();

    /** @return the SHA-1 of {@link #source()} in hex */
    String sha();

    /** @return what the script decides, for error messages (e.g. {@code limit 'api'}) */
    String label();
}
