namespace DeepResearcher.Tinker.Service;

/// <summary>The kinds of request the service queues as futures; the mutating ones are replayed to rebuild a model after a restart.</summary>
public static class FutureKind
{
    public const string CreateModel = "create_model";

    public const string Forward = "forward";

    public const string ForwardBackward = "forward_backward";

    public const string OptimStep = "optim_step";

    public const string SaveWeights = "save_weights";

    public const string LoadWeights = "load_weights";

    public const string SaveWeightsForSampler = "save_weights_for_sampler";

    public const string Sample = "sample";

    /// <summary>Requests that change a model's weights, optimizer or accumulated gradients.</summary>
    public static bool Mutates(string kind) => kind is ForwardBackward or OptimStep or LoadWeights;
}
