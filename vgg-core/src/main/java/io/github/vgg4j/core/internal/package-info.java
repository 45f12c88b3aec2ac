/**
 * Not API: what vgg4j's own modules share (atomic file writes, downloads and checksums, DL4J's
 * non-public touch points, memory limits, crash dumps). It may change in any
 * release; applications should not use it.
 */
package io.github.vgg4j.core.internal;
