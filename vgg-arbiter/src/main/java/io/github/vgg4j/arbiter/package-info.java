/**
 * Hyperparameter search for VGG networks: which learning rate, momentum, weight decay, dropout,
 * batch size, batch norm and width train this VGG best on this data, and the best model.
 *
 * <pre>{@code
 * SearchResult r = Search.random(SearchSpace.vgg(VGGBuilder.vgg11().batchNorm(true).widthMultiplier(0.25))
 *                 .learningRate(Range.logUniform(1e-4, 1e-1))
 *                 .momentum(Range.uniform(0.5, 0.99)))
 *         .candidates(8).epochs(3).output(Path.of("tune"))
 *         .run(TrainingData.from(DataSources.open(data, null)).validationFraction(0.1));
 * r.best();          // the best candidate; tune/best-model.zip holds its best epoch's weights
 * }</pre>
 *
 * <p>The API: {@link io.github.vgg4j.arbiter.SearchSpace} ({@code vgg} from scratch, {@code fineTune}
 * on a pretrained VGG's cached features), {@link io.github.vgg4j.arbiter.Range},
 * {@link io.github.vgg4j.arbiter.Search}, {@link io.github.vgg4j.arbiter.SearchResult} and
 * {@link io.github.vgg4j.arbiter.CandidateResult}, {@link io.github.vgg4j.arbiter.SearchListener}.
 * Beyond Arbiter: the median stopping rule, early stopping per candidate, resuming from the output
 * folder, failed candidates recorded with their reason.
 *
 * <p>Arbiter 1.0.0-beta7 (its last release) works underneath: its parameter spaces, random and grid
 * generators, local runner and termination conditions, on DL4J 1.0.0-M2.1 with Arbiter's own
 * DL4J/ND4J/DataVec excluded. No Arbiter type appears in this API, so the engine can be replaced
 * without touching users; those who want Arbiter's own {@code MultiLayerSpace} find it working on
 * the classpath (see docs/tuning.md).
 */
package io.github.vgg4j.arbiter;
