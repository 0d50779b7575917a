package dev.limiter.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * {@link CanonicalPath}'s fast path (a path already canonical is taken as it is) against its
 * general pass alone, on random raw paths over an alphabet of every char either treats
 * specially: the same verdict, text, error and segments, with one buffer reused across examples
 * as the matcher reuses it; and the fast path is taken often enough for that to mean something.
 */
class CanonicalFastPathPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000) * 5;
    private static final String[] PIECES = {
        "/", "/", "/", "a", "B", "grants", ".", "..", "%", "%2E", "%2e", "%2F", "%41", "%C3%A9", "%E2%82", ";", ";x=1",
        "?", "?q=/..", "#", "\\", "\t", "\u0000", "\u007f", "\u00e9", "\u20ac", "~", "-", " ",
    };

    @Test
    void theFastPathAgreesWithTheGeneralPass() {
        CanonicalPath reused = new CanonicalPath();
        CanonicalPath general = new CanonicalPath();
        int[] fast = new int[1];
        qt().withExamples(EXAMPLES)
                .forAll(lists().of(integers().between(0, PIECES.length - 1)).ofSizeBetween(0, 24),
                        integers().between(0, 3))
                .checkAssert((pieces, shape) -> {
                    String raw = raw(pieces, shape);
                    boolean expected = general.canonicaliseInGeneral(raw);
                    CanonicalPath probe = new CanonicalPath();
                    if (probe.alreadyCanonical(raw)) {
                        fast[0]++;
                    }
                    assertEquals(expected, reused.canonicalise(raw), raw);
                    assertEquals(general.toString(), reused.toString(), raw);
                    assertEquals(general.error(), reused.error(), raw);
                    assertEquals(general.segmentCount(), reused.segmentCount(), raw);
                    for (int s = 0; s < general.segmentCount(); s++) {
                        assertEquals(general.segmentStart(s), reused.segmentStart(s), raw);
                        assertEquals(general.segmentEnd(s), reused.segmentEnd(s), raw);
                    }
                });
        assertTrue(fast[0] > EXAMPLES / 20, "the fast path was taken " + fast[0] + " times in " + EXAMPLES);
    }

    /** Shape 0: pieces as drawn; 1-3: segments of plain words (so that the fast path applies), with pieces after. */
    private static String raw(List<Integer> pieces, int shape) {
        StringBuilder sb = new StringBuilder();
        if (shape > 0) {
            for (int i = 0; i < shape; i++) {
                sb.append(i % 2 == 0 ? "/v3" : "/Grants");
            }
            if (!pieces.isEmpty()) {
                sb.append(PIECES[pieces.get(0)].equals("/") ? "" : "/");
            }
        }
        for (int p : pieces) {
            sb.append(PIECES[p]);
        }
        return sb.toString();
    }
}
