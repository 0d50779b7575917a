package dev.limiter.policy;

import java.util.Objects;

/**
 * Where a rule comes from: a source document and the stable id of its row in the seed checklist;
 * immutable.
 */
public final class Provenance {
    private final String document;
    private final String row;

    private Provenance(String document, String row) {
        this.document = document;
        this.row = row;
    }

    /**
     * @param document the source document, for example {@code 001_0255217927bc240f.txt}
     * @param row the checklist row id, for example {@code nylas3-email}
     * @throws IllegalArgumentException when either is blank
     */
    public static Provenance of(String document, String row) {
        if (document == null || document.isBlank()) {
            throw new IllegalArgumentException("provenance: document must not be blank");
        }
        if (row == null || row.isBlank()) {
            throw new IllegalArgumentException("provenance: row id must not be blank");
        }
        return new Provenance(document, row);
    }

    /** @return the source document */
    public String document() {
        return document;
    }

    /** @return the checklist row id */
    public String row() {
        return row;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Provenance && document.equals(((Provenance) o).document)
                && row.equals(((Provenance) o).row);
    }

    @Override
    public int hashCode() {
        return Objects.hash(document, row);
    }

    @Override
    public String toString() {
        return row + "@" + document;
    }
}
