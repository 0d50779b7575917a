package dev.limiter.benchmarks.ab;

import java.util.function.LongUnaryOperator;

/**
 * What {@link InterleavedComparison} measures: a public class with a public no-argument constructor
 * that sets the work up, implementing {@link LongUnaryOperator} ({@code applyAsLong(n)} does
 * {@code n} operations and returns a value folded from their results, so that none is optimised
 * away) and, when it holds resources, {@link AutoCloseable}. Its parameters come from system
 * properties named {@code ab.*}. Only JDK types cross between the two builds' class loaders.
 */
final class Workload {
    private Workload() {
    }

    /** @return a new instance of {@code className} as {@code loader} loads it */
    static LongUnaryOperator create(ClassLoader loader, String className) throws ReflectiveOperationException {
        Class<?> c = Class.forName(className, true, loader);
        if (!LongUnaryOperator.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException(className + " does not implement LongUnaryOperator");
        }
        return (LongUnaryOperator) c.getConstructor().newInstance();
    }

    /** Closes {@code op} when it is {@link AutoCloseable}. */
    static void close(LongUnaryOperator op) throws Exception {
        if (op instanceof AutoCloseable) {
            ((AutoCloseable) op).close();
        }
    }
}
