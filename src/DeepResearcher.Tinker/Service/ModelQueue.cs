using System.Threading.Channels;

namespace DeepResearcher.Tinker.Service;

/// <summary>
/// One model's requests, applied one at a time in the order they were accepted (Tinker's ordering per training
/// client), by a single reader; the model's weights live here while the server runs.
/// </summary>
internal sealed class ModelQueue
{
    private readonly Channel<StoredFuture> _pending = Channel.CreateUnbounded<StoredFuture>(new UnboundedChannelOptions { SingleReader = true });

    public ModelQueue(string modelId, Func<ModelQueue, StoredFuture, CancellationToken, Task> apply, CancellationToken stopping)
    {
        ModelId = modelId;
        Completion = Task.Run(async () =>
        {
            await foreach (StoredFuture future in _pending.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                await apply(this, future, stopping).ConfigureAwait(false);
            }
        }, CancellationToken.None);
    }

    public string ModelId { get; }

    /// <summary>The model in memory, once built (or rebuilt after a restart by replaying its completed requests).</summary>
    public TrainedModel? Model { get; set; }

    public Task Completion { get; }

    public void Enqueue(StoredFuture future) => _pending.Writer.TryWrite(future);

    public void Complete() => _pending.Writer.TryComplete();
}
