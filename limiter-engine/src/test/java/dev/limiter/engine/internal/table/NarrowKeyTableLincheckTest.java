package dev.limiter.engine.internal.table;

import dev.limiter.engine.internal.store.OffHeapWords;
import org.agrona.concurrent.UnsafeBuffer;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

/**
 * Model check of the narrow layout (a 64-bit key stored as itself): concurrent {@code find} and
 * {@code lookup} must be linearizable against a set of keys, over thread interleavings explored by
 * Lincheck. Three of the keys share one home slot; the fourth is key 0, which lives in an escape
 * slot past the probe range, so claims in the probe range and in an escape slot interleave.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:3")
public class NarrowKeyTableLincheckTest {
    static final int CAPACITY = 4;
    /** Three keys with one home slot in a narrow table of {@link #CAPACITY}, then key 0. */
    static final long[] KEYS = keys();

    private final KeyTable table = narrow();

    private static KeyTable narrow() {
        return new KeyTable(CAPACITY, 1, Long.MAX_VALUE, KeyTable.Layout.NARROW);
    }

    private static long[] keys() {
        long[] found = Arrays.copyOf(KeyTableLincheckTest.collidingKeys(NarrowKeyTableLincheckTest::narrow, 3), 4);
        found[3] = 0;
        return found;
    }

    /** @return whether the key is (now) in the table */
    @Operation
    public boolean find(@Param(name = "key") int key) {
        return Fingerprint.find(table, KEYS[key]) >= 0;
    }

    /** @return whether the key is in the table */
    @Operation
    public boolean lookup(@Param(name = "key") int key) {
        return Fingerprint.lookup(table, KEYS[key]) >= 0;
    }

    @Test
    void findAndLookupAreLinearizable() {
        new ModelCheckingOptions().iterations(Integer.getInteger("limiter.lincheck.iterations", 20))
                .invocationsPerIteration(300).threads(2).actorsPerThread(2).actorsBefore(0).actorsAfter(2)
                .sequentialSpecification(KeyTableLincheckTest.KeySet.class)
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(UnsafeBuffer.class.getName(),
                        OffHeapWords.class.getName()).allMethods().treatAsAtomic())
                .check(NarrowKeyTableLincheckTest.class);
    }
}
