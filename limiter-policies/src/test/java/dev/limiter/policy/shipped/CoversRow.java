package dev.limiter.policy.shipped;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a test as the boundary proof of checklist rows; {@link ChecklistCoverageTest} requires one per row. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface CoversRow {
    /** @return the checklist row ids */
    String[] value();
}
