namespace DeepResearcher.Core.Agent;

/// <summary>The policy: generates one assistant turn.</summary>
public interface IChatModel
{
    /// <summary>Name recorded on trajectories.</summary>
    string Name { get; }

    /// <summary>Whether the model honours <see cref="GenerationRequest.Prefill"/> (continues a started assistant turn).</summary>
    bool SupportsPrefill { get; }

    Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken);
}
