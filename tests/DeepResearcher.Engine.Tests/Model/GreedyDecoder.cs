using System.Numerics.Tensors;
using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Tests.Model;

/// <summary>
/// Argmax decoding by recomputing the whole sequence each step: an oracle for the reference tests that shares nothing
/// with the KV-cache decoder (the engine's real decoder is <c>ContinuousBatchingSampler</c>).
/// </summary>
internal static class GreedyDecoder
{
    /// <summary>
    /// Appends <paramref name="steps"/> tokens to <paramref name="prompt"/>; when <paramref name="stepLogits"/> is not empty
    /// it receives each step's logits, [steps, vocab].
    /// </summary>
    public static int[] Generate(TransformerModel model, ReadOnlySpan<int> prompt, int steps, Span<float> stepLogits = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (prompt.IsEmpty) throw new ArgumentException("prompt must not be empty", nameof(prompt));
        int vocab = model.Config.VocabSize;
        var sequence = new List<int>(prompt.Length + steps);
        foreach (int id in prompt) sequence.Add(id);
        var generated = new int[steps];
        var logits = new float[vocab];
        for (int s = 0; s < steps; s++)
        {
            var batch = TokenBatch.Single([.. sequence]);
            model.ForwardLogits(batch, [batch.TokenCount - 1], logits);
            if (!stepLogits.IsEmpty) logits.CopyTo(stepLogits.Slice(s * vocab, vocab));
            int next = TensorPrimitives.IndexOfMax(logits);
            generated[s] = next;
            sequence.Add(next);
        }
        return generated;
    }
}
