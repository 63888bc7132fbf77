namespace DeepResearcher.Training.Backends;

/// <summary>
/// The losses a policy backend computes by name, as Tinker's <c>loss_fn</c>, so that the trainer never needs the
/// backend's model in hand. Each is a mean over all data of one forward-backward call, whatever micro-batches the
/// backend splits it into.
/// </summary>
public enum LossFunction
{
    /// <summary>
    /// Mean negative log-likelihood over the masked targets of the call (SFT). Tinker's <c>cross_entropy</c> sums
    /// −weight·logπ, so a Tinker backend passes weights = mask / (masked targets of the call).
    /// </summary>
    CrossEntropy,

    /// <summary>
    /// The clipped GRPO/PPO objective with the k3 KL and an entropy bonus (<see cref="Grpo.GrpoLoss"/>), configured by
    /// <see cref="Grpo.GrpoLossOptions"/>; it reads the sampling log-probs, advantages and reference log-probs.
    /// </summary>
    Grpo,
}
