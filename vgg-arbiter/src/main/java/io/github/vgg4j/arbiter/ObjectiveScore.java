package io.github.vgg4j.arbiter;

import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;

import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Arbiter's view of our objective: the "model" it scores is a finished candidate, whose score was
 * measured on the validation split while it trained. It tells Arbiter's runner which way is better.
 */
@SuppressWarnings("deprecation") // Arbiter's ScoreFunction still names its deprecated DataProvider
final class ObjectiveScore implements ScoreFunction {
    private static final long serialVersionUID = 1L;
    private final Objective objective;

    ObjectiveScore(Objective objective) {
        this.objective = objective;
    }

    @Override
    public double score(Object model, DataProvider dataProvider, Map<String, Object> dataParameters) {
        return ((CandidateResult) model).score();
    }

    @Override
    public double score(Object model, Class<? extends DataSource> dataSource, Properties dataSourceProperties) {
        return ((CandidateResult) model).score();
    }

    @Override
    public boolean minimize() {
        return objective == Objective.VALIDATION_LOSS;
    }

    @Override
    public List<Class<?>> getSupportedModelTypes() {
        return List.of(CandidateResult.class);
    }

    @Override
    public List<Class<?>> getSupportedDataTypes() {
        return List.of();
    }
}
