package dev.limiter.engine.internal.table;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

import java.nio.ByteBuffer;

/**
 * A planted bug for {@link KeyTableLincheckTest}: the key table's probe for 64-bit keys, with the
 * publish CAS replaced by "read 0, then write". Two keys racing for one slot can then both return
 * it, and one of them is lost. Test-only; never used by the engine.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:2")
public class PlantedNonAtomicPublish {
    private static final int SLOT = 24;
    private final long slots = 67;               // as KeyTable for KeyTableLincheckTest.CAPACITY keys
    private final AtomicBuffer b = new UnsafeBuffer(ByteBuffer.allocateDirect((int) (slots * SLOT)));

    private long home(long key) {
        return Math.multiplyHigh(KeyTable.home(Fingerprint.LONG_DOMAIN, key) & Long.MAX_VALUE, slots << 1);
    }

    private int find(long key, boolean claim) {
        long i = home(key);
        for (long probes = 0; probes < slots; probes++) {
            int at = (int) (i * SLOT);
            long c = b.getLongVolatile(at);
            if (c == 0) {
                if (!claim) {
                    return -1;
                }
                b.compareAndSetLong(at, 0L, Fingerprint.LONG_DOMAIN);
                c = b.getLongVolatile(at);
            }
            if (c == Fingerprint.LONG_DOMAIN) {
                long p = b.getLongVolatile(at + 8);
                if (p == 0 && claim) {
                    b.putLongVolatile(at + 8, key);           // the plant: not a CAS
                    return at + 16;
                }
                if (p == key) {
                    return at + 16;
                }
            }
            i = i + 1 == slots ? 0 : i + 1;
        }
        return -1;
    }

    /** @return whether the key is (now) in the table */
    @Operation
    public boolean find(@Param(name = "key") int key) {
        return find(KeyTableLincheckTest.KEYS[key], true) >= 0;
    }

    /** @return whether the key is in the table */
    @Operation
    public boolean lookup(@Param(name = "key") int key) {
        return find(KeyTableLincheckTest.KEYS[key], false) >= 0;
    }
}
