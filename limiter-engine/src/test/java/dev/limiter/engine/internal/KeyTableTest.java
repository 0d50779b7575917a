package dev.limiter.engine.internal;

import dev.limiter.engine.internal.kernel.*;
import dev.limiter.engine.internal.table.*;
import dev.limiter.engine.internal.time.*;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key table: no lost keys, no two keys in one slot, full-table behaviour, concurrent claims. */
class KeyTableTest {

    @Test
    void everyKeyGetsItsOwnStableSlot() {
        KeyTable table = new KeyTable(50_000, 1);
        Map<Long, Integer> slots = new HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        while (slots.size() < 50_000) {
            long key = random.nextLong();
            int offset = Fingerprint.find(table, key);
            Integer earlier = slots.putIfAbsent(key, offset);
            assertTrue(earlier == null || earlier == offset, "key moved");
        }
        assertEquals(50_000, table.size());
        assertEquals(50_000, new HashSet<>(slots.values()).size(), "two keys share a slot");
        for (Map.Entry<Long, Integer> e : slots.entrySet()) {
            assertEquals(e.getValue().intValue(), Fingerprint.find(table, e.getKey()));
            assertEquals(e.getValue().intValue(), Fingerprint.lookup(table, e.getKey()));
        }
    }

    @Test
    void touchLinesListTheHomeSlotAndTheStateWordsLineWhenItIsAnotherAndClaimNothing() {
        KeyTable table = new KeyTable(64, 1);
        long[] keys = new long[60];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = i < 6 ? new long[] {0, 1, -1, KeyTable.FROZEN_PUBLISH, Long.MIN_VALUE, 12345}[i] : i * 7919L;
        }
        long[] lines = new long[3];
        for (long key : keys) {
            int n = Fingerprint.touchLines(table, key, lines, 1);
            assertTrue(n == 2 || n == 3, "one or two lines, after the given index");
        }
        assertEquals(0, table.size(), "listing a key's lines claimed a slot");
        long base = table.buffer().addressOffset();
        int oneLine = 0;
        int twoLines = 0;
        for (long key : keys) {
            int offset = Fingerprint.find(table, key);
            long home = table.homeAddress(table.claimAt(offset), table.publishAt(offset));
            if (home != base + offset - KeyTable.STATE_OFFSET) {
                continue;                                              // displaced: its home holds another key
            }
            int n = Fingerprint.touchLines(table, key, lines, 0);
            assertEquals(home, lines[0], "the home slot first");
            boolean straddles = home >>> 6 != (base + offset) >>> 6;
            assertEquals(straddles ? 2 : 1, n, "the state word's line when it is not the home slot's");
            if (straddles) {
                assertEquals(base + offset, lines[1]);
                twoLines++;
            } else {
                oneLine++;
            }
        }
        assertTrue(oneLine > 0 && twoLines > 0, "24-byte slots: some straddle a line, most do not");
        assertEquals(keys.length, table.size());
    }

    @Test
    void keyZeroAndMinusOneAndExtremesAreDistinct() {
        KeyTable table = new KeyTable(16, 1);
        Set<Integer> offsets = new HashSet<>();
        for (long key : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            offsets.add(Fingerprint.find(table, key));
        }
        assertEquals(5, offsets.size());
        assertEquals(-1, Fingerprint.lookup(table, 2));
    }

    @Test
    void stringKeysAreFingerprintedByContentNotType() {
        KeyTable table = new KeyTable(100_010, 1);
        Set<Integer> offsets = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String s = "grant-" + i;
            int offset = Fingerprint.find(table, s, 42);
            assertEquals(offset, Fingerprint.find(table, new StringBuilder(s), 42));
            offsets.add(offset);
        }
        assertEquals(100_000, offsets.size(), "distinct strings collided");
        assertEquals(100_000, table.size());
        // byte strings are a separate key space, and lengths past one block hash in full
        assertTrue(Fingerprint.find(table, "grant-1".getBytes(), 42) != Fingerprint.find(table, "grant-1", 42));
        String longKey = "x".repeat(37);
        assertTrue(Fingerprint.find(table, longKey, 42) != Fingerprint.find(table, longKey + "y", 42));
    }

    @Test
    void fullTableRefusesNewKeysButServesOldOnes() {
        KeyTable table = new KeyTable(10, 1);
        for (long k = 1; k <= 10; k++) {
            assertTrue(Fingerprint.find(table, k) >= 0);
        }
        assertEquals(KeyTable.FULL, Fingerprint.find(table, 11L));
        assertEquals(KeyTable.FULL, Fingerprint.find(table, "new", 1));
        assertTrue(Fingerprint.find(table, 3L) >= 0);
        assertEquals(10, table.size());
    }

    @Test
    void concurrentClaimsOfOverlappingKeysNeverSplitAKey() throws Exception {
        for (int round = 0; round < 300; round++) {         // the table fills up exactly: races at capacity
            KeyTable table = new KeyTable(4_000, 1);
            int[][] seen = new int[2][4_000];
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] threads = new Thread[2];
            for (int t = 0; t < 2; t++) {
                final int self = t;
                threads[t] = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < 4_000; i++) {
                            int k = self == 0 ? i : 3_999 - i;
                            seen[self][k] = Fingerprint.find(table, k % 2 == 0 ? (long) k : (long) -k);
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                threads[t].start();
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertNull(failure.get());
            for (int k = 0; k < 4_000; k++) {
                assertEquals(seen[0][k], seen[1][k], "key " + k + " resolved to two slots");
            }
            assertEquals(4_000, table.size());
        }
    }

    @Test
    void aMillionGcraKeysFitInThirtyBytesEach() {
        KeyTable table = new KeyTable(1_000_000, 1);
        for (long k = 0; k < 1_000_000; k++) {
            assertTrue(Fingerprint.find(table, k * 0x9E3779B97F4A7C15L) >= 0);
        }
        assertEquals(1_000_000, table.size());
        double perKey = table.bytesAllocated() / 1_000_000.0;
        assertTrue(perKey <= 30.0 + 0.01, "bytes per key " + perKey);
    }
}
