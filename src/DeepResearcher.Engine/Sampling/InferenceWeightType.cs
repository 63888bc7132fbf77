namespace DeepResearcher.Engine.Sampling;

/// <summary>How <see cref="CachedTransformer"/> stores the projection and LM-head weights; compute is float32 either way.</summary>
public enum InferenceWeightType
{
    /// <summary>Reads the model's own float32 parameters: exact, and sees weight updates immediately.</summary>
    Float32,

    /// <summary>
    /// A bfloat16 copy (rounded to nearest even) read by a widening kernel: half the memory traffic, so small-batch
    /// decode is about twice as fast. A snapshot, re-rounded when the model's <see cref="Model.TransformerModel.WeightVersion"/> moves.
    /// </summary>
    BFloat16,
}
