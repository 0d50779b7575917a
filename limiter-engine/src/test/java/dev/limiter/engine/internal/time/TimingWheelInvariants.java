package dev.limiter.engine.internal.time;

/** The timing wheel's invariants I1-I6 (see its block comment), checked from outside after every model step. */
final class TimingWheelInvariants {
    private TimingWheelInvariants() {
    }

    /** @return null when the invariants and the pending count hold, else what is wrong (O(capacity)) */
    static String violation(TimingWheel w) {
        if (w.cursor > w.floorTick(w.now())) {
            return "I5: cursor " + w.cursor + " past the tick of now " + w.now();
        }
        for (int level = 1; w.cascaded && level < w.levels; level++) {
            if (w.heads[level * TimingWheel.BUCKETS + TimingWheel.digit(w.cursor, level)] != TimingWheel.NIL) {
                return "I6: cascaded, but level " + level + " holds timers at the cursor's digit";
            }
        }
        int counted = 0;
        for (int b = 0; b <= w.dueBucket; b++) {
            int level = b / TimingWheel.BUCKETS;
            boolean bit = b < w.dueBucket && (w.occupied[level] & (1L << (b & TimingWheel.DIGIT_MASK))) != 0;
            if (b < w.dueBucket && bit != (w.heads[b] != TimingWheel.NIL)) {
                return "I3: occupancy bit of level " + level + " bucket " + (b & TimingWheel.DIGIT_MASK) + " is " + bit;
            }
            for (int i = w.heads[b], before = TimingWheel.NIL; i != TimingWheel.NIL; before = i, i = w.next[i]) {
                counted++;
                if (w.bucketOf[i] != b || w.prev[i] != before) {
                    return "links of slot " + i + " in bucket " + b + " are broken";
                }
                long p = w.floorTick(w.deadlines[i]);
                if (b == w.dueBucket) {
                    if (p >= w.cursor) {
                        return "due list holds tick " + p + " >= cursor " + w.cursor;
                    }
                    continue;
                }
                if (p < w.cursor) {
                    return "I4: tick " + p + " below cursor " + w.cursor + " in bucket " + b;
                }
                if (p == w.cursor && w.deadlines[i] < w.soonest) {
                    return "I5: deadline " + w.deadlines[i] + " in the current bucket below soonest " + w.soonest;
                }
                int d = b & TimingWheel.DIGIT_MASK;
                int cd = TimingWheel.digit(w.cursor, level);
                if (TimingWheel.clearBelow(p, TimingWheel.DIGIT_BITS * (level + 1)) != TimingWheel.clearBelow(w.cursor, TimingWheel.DIGIT_BITS * (level + 1))) {
                    return "I1: tick " + p + " at level " + level + " differs from cursor " + w.cursor + " above it";
                }
                if (TimingWheel.digit(p, level) != d || d < cd) {
                    return "I2/I4: tick " + p + " in level " + level + " bucket " + d + ", cursor " + w.cursor;
                }
            }
        }
        return counted == w.pending ? null : "pending " + w.pending + " but " + counted + " linked";
    }
}
