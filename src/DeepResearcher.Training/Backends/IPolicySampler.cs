using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Training.Backends;

/// <summary>
/// The sampling half of a policy backend (Tinker's <c>SamplingClient</c>): what the rollouts and evaluations need.
/// </summary>
public interface IPolicySampler
{
    /// <summary>The version of the weights the next sample uses; every optimizer step and weight load moves it.</summary>
    long WeightVersion { get; }

    /// <summary>
    /// Continues <see cref="SamplingRequest.PromptTokenIds"/> under <see cref="SamplingRequest.Options"/>. With a
    /// conversation id the backend may keep the conversation's prefix cache, and must not reuse it once the weights moved.
    /// </summary>
    Task<PolicySample> SampleAsync(SamplingRequest request, CancellationToken cancellationToken);
}
