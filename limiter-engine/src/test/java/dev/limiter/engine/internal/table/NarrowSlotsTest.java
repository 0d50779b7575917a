package dev.limiter.engine.internal.table;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The narrow layout (64-bit keys stored as themselves) against a plain map as the reference: every
 * key, the two that take escape slots included, gets one slot of its own for the table's life,
 * under concurrent claims and through a rotation's bar and copy steps.
 */
class NarrowSlotsTest {
    /** Keys that sit on the layout's edges: the empty and barred values, their escape words, the extremes. */
    private static final long[] EDGES = {0, KeyTable.FROZEN_PUBLISH, 1, 2, -1, Long.MIN_VALUE, Long.MAX_VALUE,
        KeyTable.FROZEN_CLAIM, Fingerprint.LONG_DOMAIN, Fingerprint.LONG_ZERO_DOMAIN};

    private static KeyTable narrow(long capacity) {
        return new KeyTable(capacity, 1, Long.MAX_VALUE, KeyTable.Layout.NARROW);
    }

    /** Keys drawn from the edges and from a small range, so that repeats and neighbours are common. */
    private static Gen<Long> keys() {
        return integers().between(0, EDGES.length - 1).map(i -> EDGES[i])
                .mix(longs().between(-8, 40), 50).mix(longs().all(), 30);
    }

    @Test
    void everyKeyHasOneSlotOfItsOwnAndItsFingerprintFindsItAgain() {
        qt().withExamples(300).forAll(lists().of(keys()).ofSizeBetween(1, 60)).checkAssert(list -> {
            KeyTable table = narrow(64);
            Map<Long, Integer> model = new HashMap<>();
            for (long key : list) {
                int offset = Fingerprint.find(table, key);
                Integer earlier = model.putIfAbsent(key, offset);
                assertEquals(earlier == null ? offset : earlier, offset, "key " + key + " moved");
            }
            assertEquals(model.size(), table.size(), "keys counted");
            assertEquals(model.size(), new HashSet<>(model.values()).size(), "two keys share a slot: " + model);
            for (Map.Entry<Long, Integer> e : model.entrySet()) {
                int offset = e.getValue();
                assertEquals(offset, Fingerprint.lookup(table, e.getKey()));
                assertEquals(offset, table.find(table.claimAt(offset), table.publishAt(offset)), "fingerprint round trip");
                assertEquals(0, (offset - table.stateOffset()) % table.slotBytes());
            }
            for (long absent : EDGES) {
                if (!model.containsKey(absent)) {
                    assertEquals(-1, Fingerprint.lookup(table, absent));
                }
            }
        });
    }

    @Test
    void touchLinesListTheHomeSlotAloneAndClaimNothing() {
        KeyTable table = narrow(64);
        long[] lines = new long[3];
        for (long key : EDGES) {
            assertEquals(1, Fingerprint.touchLines(table, key, lines, 0), "a 16-byte slot is on one line");
        }
        assertEquals(0, table.size(), "listing a key's lines claimed a slot");
        long base = table.buffer().addressOffset();
        int atHome = 0;
        for (long key : EDGES) {
            long slot = base + Fingerprint.find(table, key) - table.stateOffset();
            assertEquals(2, Fingerprint.touchLines(table, key, lines, 1));
            if (lines[1] == slot) {
                atHome++;
                assertEquals(slot >>> 6, (slot + table.slotBytes() - 1) >>> 6, "key and state words on the listed line");
            }
        }
        long zero = base + Fingerprint.find(table, 0L) - table.stateOffset();
        Fingerprint.touchLines(table, 0L, lines, 0);
        assertEquals(zero, lines[0], "an escape slot is its key's home");
        assertTrue(atHome >= EDGES.length / 2, "most keys at home: " + atHome);
        assertEquals(EDGES.length, table.size(), "listing a key's lines claimed a slot");
    }

    @Test
    void touchLinesListTheFirstStateWordsLineTooWhenAWiderSlotStraddlesOne() {
        KeyTable table = new KeyTable(64, 2, Long.MAX_VALUE, KeyTable.Layout.NARROW);   // 24-byte slots
        long base = table.buffer().addressOffset();
        long[] lines = new long[2];
        int straddling = 0;
        for (long key = 1; key <= 60; key++) {
            long slot = base + Fingerprint.find(table, key) - table.stateOffset();
            int n = Fingerprint.touchLines(table, key, lines, 0);
            if (lines[0] != slot) {
                continue;                                              // displaced: its home holds another key
            }
            boolean straddles = slot >>> 6 != (slot + table.stateOffset()) >>> 6;
            assertEquals(straddles ? 2 : 1, n, "key " + key);
            if (straddles) {
                assertEquals(slot + table.stateOffset(), lines[1], "the first state word's line");
                straddling++;
            }
        }
        assertTrue(straddling > 0, "a slot at byte 56 of a line straddles it");
    }

    @Test
    void slotsTakeSixteenBytesForOneStateWordAndTwentyPerKeyOfCapacity() {
        KeyTable table = narrow(1_000);
        assertEquals(16, table.slotBytes());
        assertEquals(8, table.stateOffset());
        assertEquals(20.0, (double) KeyTable.bytesFor(1_000_000, 1, KeyTable.Layout.NARROW) / 1_000_000);
        assertEquals(30.0, (double) KeyTable.bytesFor(1_000_000, 1, KeyTable.Layout.WIDE) / 1_000_000);
    }

    @Test
    void aFullTableRefusesNewKeysAndStillFindsItsOwn() {
        KeyTable table = narrow(3);
        assertTrue(Fingerprint.find(table, 0) >= 0);
        assertTrue(Fingerprint.find(table, 5) >= 0);
        assertTrue(Fingerprint.find(table, KeyTable.FROZEN_PUBLISH) >= 0);
        assertEquals(KeyTable.FULL, Fingerprint.find(table, 6));
        assertEquals(KeyTable.FULL, Fingerprint.find(table, -1L));
        assertEquals(3, table.size(), "a refused key changed the count");
        assertTrue(Fingerprint.find(table, 0) >= 0);
    }

    @Test
    void stringFingerprintsAreRefused() {
        KeyTable table = narrow(16);
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.find(table, "k", 1));
        assertEquals(0, table.size());
    }

    @Test
    void concurrentClaimersAgreeOnEverySlot() throws Exception {
        int threads = 4;
        List<Long> shared = new ArrayList<>();
        for (long e : EDGES) {
            shared.add(e);
        }
        for (long k = 0; k < 2_000; k++) {
            shared.add(k * 0x9E3779B97F4A7C15L);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                KeyTable table = narrow(shared.size());
                Map<Long, Integer> seen = new ConcurrentHashMap<>();
                CyclicBarrier go = new CyclicBarrier(threads);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int self = t;
                    done.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < shared.size(); i++) {
                            long key = shared.get((i * (self + 1) + self * 7) % shared.size());
                            int offset = Fingerprint.find(table, key);
                            Integer other = seen.putIfAbsent(key, offset);
                            assertEquals(other == null ? offset : other, offset, "threads disagree on key " + key);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
                Set<Long> distinct = new HashSet<>(shared);
                assertEquals(distinct.size(), seen.size());
                assertEquals(distinct.size(), table.size());
                assertEquals(distinct.size(), new HashSet<>(seen.values()).size(), "two keys share a slot");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRotationBarsEveryEmptySlotAndCopiesEveryKeyOnce() {
        qt().withExamples(200).forAll(lists().of(keys()).ofSizeBetween(0, 30), lists().of(keys()).ofSizeBetween(1, 10))
                .checkAssert((held, later) -> {
                    KeyTable from = narrow(32);
                    Set<Long> model = new HashSet<>();
                    for (long key : held) {
                        Fingerprint.find(from, key);
                        model.add(key);
                    }
                    for (long key : later) {
                        if (!model.contains(key)) {                  // settle's step: bar where the key would go
                            assertEquals(-1, from.findOrBar(fingerprintClaim(key), fingerprintPublish(key)));
                            assertEquals(KeyTable.RETIRED, Fingerprint.find(from, key), "a barred key was claimed");
                        }
                    }
                    KeyTable to = narrow(32);
                    to.reserve(from.size());
                    Set<Integer> copied = new HashSet<>();
                    for (long i = 0; i < from.slots(); i++) {
                        int base = from.barOrKey(i);
                        if (base >= 0) {
                            int at = to.claimForCopy(from.claimAt(base), from.publishAt(base));
                            assertTrue(copied.add(at), "two keys copied into one slot");
                            assertEquals(base, from.findOrBar(from.claimAt(base), from.publishAt(base)));
                        }
                    }
                    assertEquals(model.size(), copied.size(), "every key copied once");
                    assertEquals(model.size(), to.size(), "the reservation counts each copy once");
                    for (long key : later) {
                        int found = Fingerprint.find(from, key);
                        assertEquals(model.contains(key), found >= 0, "key " + key + " in the retired table");
                        if (!model.contains(key)) {
                            assertEquals(KeyTable.RETIRED, found, "a retired table took a new key");
                            assertEquals(-1, from.findOrBar(fingerprintClaim(key), fingerprintPublish(key)));
                        }
                        assertEquals(model.contains(key), Fingerprint.lookup(to, key) >= 0, "key " + key + " copied");
                    }
                });
    }

    private static long fingerprintClaim(long key) {
        return Fingerprint.reserved(key) ? Fingerprint.LONG_ZERO_DOMAIN : Fingerprint.LONG_DOMAIN;
    }

    private static long fingerprintPublish(long key) {
        return Fingerprint.reserved(key) ? Fingerprint.reservedHalf(key) : key;
    }
}
