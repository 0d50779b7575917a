package dev.limiter.engine.internal.table;

import dev.limiter.engine.internal.store.OffHeapSlots;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a limiter's keys resolve against at one moment: the current key table, its store, and the
 * rotation that is filling it from the previous table (null when none). Immutable, so thread-safe;
 * a limiter publishes a new view with one volatile store and never reuses a table.
 */
public final class TableView {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final KeyTable table;
    private final OffHeapSlots slots;
    private final TableRotation rotation;
    /** rotation != null, kept as a plain flag so that the acquire path can fold it with others (KeySpace.prepare) */
    private final boolean rotating;
    private final int id;

    /** A view of {@code table} with no rotation in progress. */
    public TableView(KeyTable table) {
        this(table, new OffHeapSlots(table.buffer()), null, IDS.incrementAndGet());
    }

    private TableView(KeyTable table, OffHeapSlots slots, TableRotation rotation, int id) {
        this.table = table;
        this.slots = slots;
        this.rotation = rotation;
        this.rotating = rotation != null;
        this.id = id;
    }

    /** @return a view of a new table being filled from this one by {@code rotation} */
    TableView rotatingTo(KeyTable next, OffHeapSlots nextSlots, TableRotation r) {
        return new TableView(next, nextSlots, r, IDS.incrementAndGet());
    }

    /** @return this view's table with the rotation that filled it done (same table, same id) */
    public TableView settled() {
        return new TableView(table, slots, null, id);
    }

    /** @return the current key table */
    public KeyTable table() {
        return table;
    }

    /** @return the store over the current table's state words */
    public OffHeapSlots slots() {
        return slots;
    }

    /**
     * @return whether a rotation is filling the current table; the acquire path asks this rather than
     *     {@link #rotation()}, whose type the JVM may not have loaded yet (a call it then cannot inline)
     */
    public boolean rotating() {
        return rotating;
    }

    /** @return the rotation filling the current table, or null */
    public TableRotation rotation() {
        return rotation;
    }

    /** @return a number naming the current table: the same for every view of it, never reused */
    public int id() {
        return id;
    }
}
