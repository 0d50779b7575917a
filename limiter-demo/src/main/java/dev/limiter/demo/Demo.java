package dev.limiter.demo;

/**
 * The end-to-end demo: runs each part in turn and prints what it measured.
 *
 * <p>Run it with {@code mvn -B -q -pl limiter-demo -am package exec:java -DskipTests}.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        EngineLoad.run(args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L);
        PolicyTour.run();
    }
}
