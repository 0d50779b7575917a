package dev.limiter.policy.shipped;

import dev.limiter.policy.Policy;
import dev.limiter.policy.Provenance;
import dev.limiter.policy.Rule;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Walks the seed checklist: every row is cited by a shipped rule and proven by a boundary test. */
class ChecklistCoverageTest {
    static final List<Policy> SHIPPED = List.of(ContextIoLite.policy(), ContextIo2.policy(), ContextIo.policy(),
            NylasV3.policy(),
            NylasV2.policy(), UpstreamProviders.google(), UpstreamProviders.googleCurrent(), UpstreamProviders.microsoft(),
            UpstreamProviders.icloud());
    private static final List<Class<?>> BOUNDARY_TESTS = List.of(ContextIoBoundaryTest.class,
            NylasV3BoundaryTest.class, NylasV2BoundaryTest.class, UpstreamBoundaryTest.class, SourcePageGapsTest.class);

    /** @return row id to source document, in file order, from the copy in test resources */
    static Map<String, String> rows() throws IOException {
        try (InputStream in = ChecklistCoverageTest.class.getResourceAsStream("/checklist.tsv")) {
            assertNotNull(in, "checklist.tsv must be in test resources");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> rows = new LinkedHashMap<>();
        String[] lines = text.split("\n");
        assertTrue(lines[0].startsWith("id\tsource\t"), "header row");
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                String[] cols = lines[i].split("\t");
                rows.put(cols[0], cols[1]);
            }
        }
        return rows;
    }

    @Test
    void theCopyMatchesTheSharedChecklistWhenItIsBesideTheRepository() throws IOException {
        for (String candidate : new String[] {"../shared/seeds/checklist.tsv", "../../shared/seeds/checklist.tsv"}) {
            Path p = Path.of(candidate);
            if (Files.isRegularFile(p)) {
                assertEquals(parse(Files.readString(p)), rows(), "test resources hold a stale copy of " + p);
            }
        }
    }

    @Test
    void everyRowIsCitedByAShippedPolicyWithItsSourceDocument() throws IOException {
        Map<String, String> rows = rows();
        assertEquals(28, rows.size(), "the seed checklist has 28 rows");
        Map<String, List<String>> citedBy = new LinkedHashMap<>();
        for (Policy p : SHIPPED) {
            List<Provenance> all = new ArrayList<>(p.provenance());
            for (Rule r : p.rules()) {
                all.addAll(r.provenance());
            }
            for (Provenance pr : all) {
                assertTrue(rows.containsKey(pr.row()), () -> p.name() + " cites unknown row " + pr);
                assertEquals(rows.get(pr.row()), pr.document(), () -> p.name() + " cites " + pr + " with the wrong document");
                citedBy.computeIfAbsent(pr.row(), k -> new ArrayList<>()).add(p.name());
            }
        }
        TreeSet<String> missing = new TreeSet<>(rows.keySet());
        missing.removeAll(citedBy.keySet());
        assertTrue(missing.isEmpty(), () -> "rows not cited by any shipped rule: " + missing);
    }

    @Test
    void everyRowHasABoundaryTest() throws IOException {
        TreeSet<String> covered = new TreeSet<>();
        for (Class<?> c : BOUNDARY_TESTS) {
            for (Method m : c.getDeclaredMethods()) {
                CoversRow row = m.getAnnotation(CoversRow.class);
                if (row != null) {
                    covered.addAll(List.of(row.value()));
                }
            }
        }
        TreeSet<String> missing = new TreeSet<>(rows().keySet());
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), () -> "rows without a boundary test: " + missing);
        TreeSet<String> unknown = new TreeSet<>(covered);
        unknown.removeAll(rows().keySet());
        assertTrue(unknown.isEmpty(), () -> "tests cite unknown rows: " + unknown);
    }
}
