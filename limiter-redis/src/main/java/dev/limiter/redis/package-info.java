/**
 * Limits whose state lives in Redis: {@link dev.limiter.redis.RedisLimiter} runs each algorithm's
 * step as a Lua script that decides exactly as the engine's kernel, one {@code EVALSHA} per
 * request, and fails closed when Redis does not answer.
 */
package dev.limiter.redis;
