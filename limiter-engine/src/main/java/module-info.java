/**
 * The off-heap engine: {@link dev.limiter.engine.OffHeapEngine} and its factory. The kernels,
 * stores, key tables and time arithmetic live in {@code dev.limiter.engine.internal.*}, which this
 * module does not export.
 *
 * <p>Agrona 1.x ships as an automatic module ({@code org.agrona.core}); the warning for requiring
 * one is silenced on purpose, as 2.x would need JVM flags in every embedding application.
 */
@SuppressWarnings("requires-automatic")
module dev.limiter.engine {
    requires transitive dev.limiter.api;
    requires org.agrona.core;

    exports dev.limiter.engine;

    provides dev.limiter.LimiterEngineFactory with dev.limiter.engine.OffHeapEngineFactory;
}
