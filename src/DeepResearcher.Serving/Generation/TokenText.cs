using System.Text;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Serving.Generation;

/// <summary>How a token is named in logprobs: its own text, or <c>token_id:{id}</c> (vLLM's <c>return_tokens_as_token_ids</c>).</summary>
internal sealed class TokenText(BpeTokenizer tokenizer, bool asIds)
{
    public string Name(int id) => asIds ? $"token_id:{id}" : tokenizer.Decode([id]);

    public static int[] Bytes(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        return Array.ConvertAll(bytes, b => (int)b);
    }
}
