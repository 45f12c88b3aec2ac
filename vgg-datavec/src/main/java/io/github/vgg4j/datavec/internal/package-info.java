/**
 * Not API: what vgg4j's own modules share about data (seeded splits, the dataset cache folder). It
 * may change in any release; applications should not use it.
 */
package io.github.vgg4j.datavec.internal;
