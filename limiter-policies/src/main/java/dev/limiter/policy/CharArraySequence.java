package dev.limiter.policy;

/**
 * A reusable character buffer read as a {@link CharSequence}: the first {@code length} chars of
 * {@code chars}. Subclasses fill it in place, so reading it allocates nothing; only
 * {@link #toString()} and {@link #subSequence} copy. Not thread-safe.
 */
abstract class CharArraySequence implements CharSequence {
    /** The text in {@code [0, length)}; replaced by a larger array when a subclass grows it. */
    char[] chars;
    /** How many chars of {@link #chars} are the text. */
    int length;

    CharArraySequence(int initialCapacity) {
        this.chars = new char[initialCapacity];
    }

    @Override
    public final int length() {
        return length;
    }

    @Override
    public final char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return chars[index];
    }

    @Override
    public final CharSequence subSequence(int start, int end) {
        return toString().subSequence(start, end);
    }

    @Override
    public final String toString() {
        return new String(chars, 0, length);
    }
}
