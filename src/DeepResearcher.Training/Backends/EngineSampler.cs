using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Training.Backends;

/// <summary>
/// The engine's continuous-batching sampler as a policy sampler. It needs no refresh call: the sampler compares the
/// model's weight version before every step and reports the version each sample used.
/// </summary>
public sealed class EngineSampler(ContinuousBatchingSampler sampler) : IPolicySampler
{
    public ContinuousBatchingSampler Sampler => sampler;

    public long WeightVersion => sampler.WeightVersion;

    public async Task<PolicySample> SampleAsync(SamplingRequest request, CancellationToken cancellationToken)
    {
        SamplingResult result = await sampler.SubmitAsync(request, cancellationToken).ConfigureAwait(false);
        return new PolicySample(result.TokenIds, result.LogProbs, result.StopReason, result.WeightVersion);
    }
}
