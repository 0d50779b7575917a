package dev.limiter.engine.internal.kernel;

/**
 * Read-only access to one key's state words, handed to a kernel's pure step: every read has
 * <em>acquire</em> semantics (see the package's memory-ordering vocabulary).
 */
public interface StateWords {
    /**
     * @param base where the key's state starts, in the store's own units
     * @param index which state word, from 0
     * @return the word, read with acquire semantics
     */
    long wordAcquire(int base, int index);
}
