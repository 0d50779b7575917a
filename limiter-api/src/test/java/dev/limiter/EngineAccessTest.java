package dev.limiter;

import dev.limiter.internal.CheckRecords;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Engines write decisions and check records through dev.limiter.internal; users see no setter. */
class EngineAccessTest {
    private static final Limit LIMIT = Limit.fixedWindow("fw", 10, Duration.ofSeconds(1)).build();

    @Test
    void theWriterOverwritesEveryFieldOfADecision() {
        DecisionWriter w = EngineAccess.decisions();
        assertSame(w, EngineAccess.decisions(), "one writer, installed once");
        Decision d = new Decision();
        assertSame(d, w.set(d, Outcome.LIMITED, LIMIT, 3, 4, 5, 6));
        assertEquals(Outcome.LIMITED, d.outcome());
        assertSame(LIMIT, d.limit());
        assertEquals(3, d.checkIndex());
        assertEquals(4, d.remaining());
        assertEquals(5, d.retryAfterNanos());
        assertEquals(6, d.resetAfterNanos());
        Decision kept = d.snapshot();
        w.set(d, Outcome.ALLOWED, null, -1, 0, 0, 0);
        assertEquals(Outcome.LIMITED, kept.outcome(), "a snapshot is not overwritten");
        assertEquals(5, kept.retryAfterNanos());
        assertNull(d.limit());
        assertEquals(0, d.limitPermits());
    }

    @Test
    void theRecordsOfEachCheckAreKeptPerCheckAndBoundsChecked() {
        CheckRecords r = EngineAccess.checks();
        assertNotNull(r);
        Limiter limiter = new Limiter() {
            @Override
            public Limit limit() {
                return LIMIT;
            }

            @Override
            public Clock clock() {
                return Clock.system();
            }

            @Override
            public long keyCount() {
                return 0;
            }

            @Override
            public long capacity() {
                return 0;
            }
        };
        Checks checks = new Checks(1).add(limiter, 1L, 1).add(limiter, "k", 2);
        r.slot(checks, 0, 11);
        r.token(checks, 1, 22);
        assertEquals(11, r.slot(checks, 0));
        assertEquals(0, r.token(checks, 0));
        assertEquals(0, r.slot(checks, 1));
        assertEquals(22, r.token(checks, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> r.token(checks, 2, 1));
        checks.clear().add(limiter, 1L, 1);
        assertEquals(0, r.token(checks, 0), "a new check starts with no records");
        assertEquals(0, r.slot(checks, 0));
    }

    @Test
    void aSecondInstallIsRefusedAndTheFirstWriterStays() {
        DecisionWriter first = EngineAccess.decisions();
        assertThrows(IllegalStateException.class, () -> EngineAccess.install((d, o, l, i, r, a, b) -> d));
        assertThrows(IllegalStateException.class, () -> EngineAccess.install(EngineAccess.checks()));
        assertSame(first, EngineAccess.decisions());
    }

    @Test
    void thePublicTypesOfferNoSetterOfEngineState() {
        assertEquals(List.of(), publicMethodsNamed(Decision.class, "set"));
        assertEquals(List.of(), publicMethodsNamed(Checks.class, "token", "engineSlot"));
        assertTrue(Modifier.isFinal(Decision.class.getModifiers()) && Modifier.isFinal(Checks.class.getModifiers()));
    }

    private static List<String> publicMethodsNamed(Class<?> type, String... names) {
        List<String> wanted = Arrays.asList(names);
        return Arrays.stream(type.getMethods()).map(Method::getName).filter(wanted::contains)
                .collect(Collectors.toList());
    }
}
