/**
 * Engine-only access to the fields that {@link dev.limiter.Decision} and {@link dev.limiter.Checks}
 * hide from users; exported only to engine modules. Not part of the public API: it may change in
 * any release.
 */
package dev.limiter.internal;
