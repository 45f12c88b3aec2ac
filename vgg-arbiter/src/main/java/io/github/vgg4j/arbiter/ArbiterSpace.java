package io.github.vgg4j.arbiter;

import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our ranges as one Arbiter {@link ParameterSpace}: a leaf per range that varies (Arbiter's
 * continuous space, log-uniform through its {@link LogUniformDistribution}, or its discrete
 * space), fixed values outside Arbiter. Arbiter's generators draw a point in [0, 1] per leaf;
 * {@link #getValue} turns a point into a candidate's {@link Hyperparameters}.
 *
 * <p>Fixed values are kept out of Arbiter on purpose: its grid search leaves single-valued
 * discrete spaces out of the point it draws but still numbers them, which shifts every later
 * leaf's index.
 */
final class ArbiterSpace implements ParameterSpace<Hyperparameters> {
    private final LinkedHashMap<String, Object> fixed = new LinkedHashMap<>();
    private final LinkedHashMap<String, ParameterSpace<?>> leaves = new LinkedHashMap<>();
    private final List<String> order = new ArrayList<>();

    ArbiterSpace(Map<String, Range<?>> ranges) {
        ranges.forEach((name, range) -> {
            order.add(name);
            if (range.isFixed()) {
                fixed.put(name, range.extremes().get(0));
            } else {
                leaves.put(name, leaf(range));
            }
        });
    }

    private static ParameterSpace<?> leaf(Range<?> range) {
        if (range instanceof Range.LogUniform l) {
            return new ContinuousParameterSpace(new LogUniformDistribution(l.min(), l.max()));
        }
        if (range instanceof Range.Uniform u) {
            return new ContinuousParameterSpace(u.min(), u.max());
        }
        return new DiscreteParameterSpace<>(((Range.Choice<?>) range).values());
    }

    @Override
    public Hyperparameters getValue(double[] point) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String name : order) {
            ParameterSpace<?> leaf = leaves.get(name);
            Object v = leaf != null ? leaf.getValue(point) : fixed.get(name);
            values.put(name, leaf instanceof ContinuousParameterSpace ? round((Double) v) : v);
        }
        return new Hyperparameters(values);
    }

    /**
     * To 10 significant digits: exp(log(x)) is not always x, and a grid's 0.0010000000000000002
     * should read 0.001 in the results.
     */
    private static double round(double v) {
        return new BigDecimal(v).round(new MathContext(10)).doubleValue();
    }

    @Override
    public int numParameters() {
        return leaves.size();
    }

    @Override
    @SuppressWarnings("rawtypes") // Arbiter's signature
    public List<ParameterSpace> collectLeaves() {
        return new ArrayList<>(leaves.values());
    }

    @Override
    @SuppressWarnings("rawtypes") // Arbiter's signature
    public Map<String, ParameterSpace> getNestedSpaces() {
        return new LinkedHashMap<>(leaves);
    }

    @Override
    public boolean isLeaf() {
        return false;
    }

    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("not a leaf: Arbiter numbers the leaves (collectLeaves) instead");
    }

    /** Points per leaf of a grid search: {@code points} for an interval, every value of a list. */
    long gridSize(int points) {
        long n = 1;
        for (ParameterSpace<?> leaf : leaves.values()) {
            n *= leaf instanceof DiscreteParameterSpace<?> d ? d.numValues() : points;
        }
        return n;
    }
}
