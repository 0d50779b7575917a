package dev.limiter.engine.internal.table;

import dev.limiter.engine.internal.store.OffHeapWords;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.agrona.concurrent.UnsafeBuffer;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model check of the key table: concurrent {@code find} (claims) and {@code lookup} (never claims)
 * must be linearizable against a set of keys, explored over thread interleavings by Lincheck. The
 * keys all share one home slot, so every interleaving of claims on that slot and its neighbours is
 * in play. The check of the check: the same test on a table whose publish step is a read followed
 * by a plain write instead of a CAS must fail.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:2")
public class KeyTableLincheckTest {
    /** Room for every key the test uses: 67 slots. */
    static final int CAPACITY = 3;
    /** Keys whose home slot is the same in a table of {@link #CAPACITY}. */
    static final long[] KEYS = collidingKeys(() -> new KeyTable(CAPACITY, 1), 3);

    private final KeyTable table = new KeyTable(CAPACITY, 1);

    /** @return the first {@code count} positive keys whose home slot is the same in a fresh table from {@code fresh} */
    static long[] collidingKeys(Supplier<KeyTable> fresh, int count) {
        long[] found = new long[count];
        int home = -1;
        int n = 0;
        for (long k = 1; n < found.length; k++) {
            int offset = Fingerprint.find(fresh.get(), k);                  // a fresh table: the home slot
            if (home < 0) {
                home = offset;
            }
            if (offset == home) {
                found[n++] = k;
            }
        }
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

    /** The sequential specification: a set with room for every key the test uses. */
    public static final class KeySet {
        private final Set<Integer> keys = new HashSet<>();

        /** @return true: the key is added if absent */
        public boolean find(int key) {
            keys.add(key);
            return true;
        }

        /** @return whether the key was added */
        public boolean lookup(int key) {
            return keys.contains(key);
        }
    }

    @Test
    void findAndLookupAreLinearizable() {
        options().check(KeyTableLincheckTest.class);
    }

    @Test
    void aNonAtomicPublishIsCaught() {
        LincheckAssertionError caught = assertThrows(LincheckAssertionError.class,
                () -> options().check(PlantedNonAtomicPublish.class));
        assertTrue(caught.getMessage().contains("Invalid execution results"), caught::getMessage);
    }

    /**
     * Each buffer access (an acquire load, a CAS, a store) is one atomic step: interleavings are
     * explored between them, which is the granularity the table's argument is made at.
     */
    private static ModelCheckingOptions options() {
        // small on purpose: 2 threads x 2 operations over 3 colliding keys, then 2 operations that
        // observe the result; a few hundred interleavings per scenario
        return new ModelCheckingOptions().iterations(Integer.getInteger("limiter.lincheck.iterations", 20))
                .invocationsPerIteration(300).threads(2).actorsPerThread(2).actorsBefore(0).actorsAfter(2)
                .sequentialSpecification(KeySet.class)
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(UnsafeBuffer.class.getName(),
                        OffHeapWords.class.getName()).allMethods().treatAsAtomic());
    }
}
