/**
 * The admission rules, one kernel per algorithm, each a set of pure functions over a key's state
 * words; stores ({@code ...internal.store}) own the memory and the one load/CAS/retry loop.
 *
 * <h2>Memory-ordering vocabulary</h2>
 * Used, with these meanings, by every kernel and store comment in the engine:
 * <ul>
 *   <li><b>plain</b>: an ordinary load or store; no ordering with other threads.</li>
 *   <li><b>acquire</b> (a volatile load, {@code getLongVolatile}): no later access of this thread
 *       moves before it; it sees everything that happened-before the <em>release</em> it reads.</li>
 *   <li><b>release</b>: no earlier access of this thread moves after it.</li>
 *   <li><b>CAS</b> ({@code compareAndSetLong}): an atomic compare-and-set with volatile (full
 *       fence) semantics: acquire and release at once. A successful CAS is the linearisation point
 *       of the decision it publishes.</li>
 * </ul>
 *
 * <h2>The kernel contract</h2>
 * A kernel never touches memory: {@code Kernel.next} reads the key's state through
 * {@link dev.limiter.engine.internal.kernel.StateWords} (acquire loads done by the store) and
 * returns the next head word, or {@code Kernel.DENIED}; the store publishes it with one CAS on
 * word 0 and retries the whole step if the CAS fails. All-zero state means "a key never seen".
 * A denial writes nothing. Exactness arguments are in each kernel's opening comment and in
 * {@code docs/EXACTNESS.md}.
 */
package dev.limiter.engine.internal.kernel;
