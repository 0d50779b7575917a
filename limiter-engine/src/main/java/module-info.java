/**
 * The off-heap engine: {@link dev.limiter.engine.OffHeapEngine} and its factory. The kernels,
 * stores, key tables and time arithmetic live in {@code dev.limiter.engine.internal.*}, which this
 * module does not export.
 *
 * <p>Agrona 1.x and HdrHistogram ship as automatic modules ({@code org.agrona.core},
 * {@code HdrHistogram}); the warning for requiring
 * one is silenced on purpose, as 2.x would need JVM flags in every embedding application.
 */
@SuppressWarnings("requires-automatic")
module dev.limiter.engine {
    requires transitive dev.limiter.api;
    requires org.agrona.core;
    requires org.jctools.core;      // the ticker's command queues
    requires HdrHistogram;          // the ticker's lateness histogram (automatic module)

    exports dev.limiter.engine;

    provides dev.limiter.LimiterEngineFactory with dev.limiter.engine.OffHeapEngineFactory;
}
