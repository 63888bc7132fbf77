using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Serving.Models;

namespace DeepResearcher.Serving.Generation;

/// <summary>
/// A request's choices submitted to the model's continuous-batching sampler together, their tokens merged into one
/// event stream in the order the decode loop produced them. Disposing cancels what is still running (a client that
/// went away frees its slots at once) and returns the concurrency lease.
/// </summary>
internal sealed class GenerationRun : IAsyncDisposable
{
    private readonly Channel<ChoiceEvent> _events = Channel.CreateUnbounded<ChoiceEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _cancel = new();
    private readonly IDisposable _lease;
    private readonly List<Task> _tasks = [];
    private int _running;
    private int _disposed;

    public GenerationRun(ServedModel model, IReadOnlyList<ChoiceSpec> choices, IDisposable lease)
    {
        _lease = lease;
        _running = choices.Count;
        for (int i = 0; i < choices.Count; i++)
        {
            int choice = i;
            ChoiceSpec spec = choices[i];
            var request = new SamplingRequest(spec.PromptIds, spec.Options)
            {
                OnToken = token => _events.Writer.TryWrite(new ChoiceEvent(choice, token, null)),
                ConversationId = spec.ConversationId,
            };
            Task<SamplingResult> task;
            try
            {
                task = model.Sampler.SubmitAsync(request, _cancel.Token);
            }
            catch (ArgumentException e)
            {
                _cancel.Cancel();
                _lease.Dispose();
                throw ServingException.BadRequest(e.Message);
            }

            _tasks.Add(task.ContinueWith(done => Ended(choice, done), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
        }
    }

    public async IAsyncEnumerable<ChoiceEvent> EventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration _ = cancellationToken.Register(_cancel.Cancel);
        await foreach (ChoiceEvent e in _events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    private void Ended(int choice, Task<SamplingResult> done)
    {
        if (done.IsCompletedSuccessfully)
        {
            _events.Writer.TryWrite(new ChoiceEvent(choice, default, done.Result));
            if (Interlocked.Decrement(ref _running) == 0)
            {
                _events.Writer.TryComplete();
            }
            return;
        }

        Exception error = done.IsCanceled
            ? new OperationCanceledException("the request was cancelled")
            : new ServingException(500, $"generation failed: {done.Exception!.GetBaseException().Message}");
        _cancel.Cancel();
        _events.Writer.TryComplete(error);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _cancel.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_tasks).ConfigureAwait(false);
        }
        finally
        {
            _lease.Dispose();
            _cancel.Dispose();
        }
    }
}
