using DeepResearcher.Training.Checkpoints;
using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Training.Backends;

/// <summary>
/// Where the trainers (GRPO and SFT) and the rollouts meet a policy, wherever it runs: sample with log-probs, score
/// token data, accumulate gradients of a named loss, take an optimizer step, save and load its state, all under one
/// <see cref="IPolicySampler.WeightVersion"/> that every step and load moves. Shaped after Tinker's training and
/// sampling clients so that a remote backend is a second implementation, not a second trainer: calls are asynchronous
/// even where the in-process engine (<see cref="EngineBackend"/>) completes them at once.
/// </summary>
public interface IPolicyBackend : IPolicySampler, ILogProbSource
{
    /// <summary>
    /// Forward and backward of <paramref name="loss"/> over <paramref name="data"/>, adding the gradients to those of
    /// earlier calls since the last <see cref="OptimStepAsync"/> (gradient accumulation, as Tinker's forward_backward).
    /// </summary>
    /// <param name="grpo">The GRPO loss's settings; required for <see cref="LossFunction.Grpo"/>.</param>
    Task<ForwardBackwardResult> ForwardBackwardAsync(IReadOnlyList<TokenDatum> data, LossFunction loss, GrpoLossOptions? grpo, CancellationToken cancellationToken);

    /// <summary>Clips the accumulated gradients, applies one AdamW update and clears them; moves the weight version.</summary>
    Task<OptimStepResult> OptimStepAsync(AdamParams adam, CancellationToken cancellationToken);

    /// <summary>Saves weights, optimizer state and <paramref name="state"/> as a resumable checkpoint (Tinker's save_state).</summary>
    Task SaveStateAsync(string directory, TrainerState state, CancellationToken cancellationToken);

    /// <summary>Loads weights and optimizer state saved by <see cref="SaveStateAsync"/>; moves the weight version.</summary>
    Task<TrainerState> LoadStateAsync(string directory, CancellationToken cancellationToken);
}
