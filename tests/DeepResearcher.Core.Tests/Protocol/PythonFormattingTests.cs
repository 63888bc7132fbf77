using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol.Json;

namespace DeepResearcher.Core.Tests.Protocol;

/// <summary>Expected values are what CPython 3 prints for repr() and json.dumps(ensure_ascii=False).</summary>
public class PythonFormattingTests
{
    [Theory]
    [InlineData("abc", "'abc'")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("it's \"x\"", "'it\\'s \"x\"'")]
    [InlineData("say \"hi\"", "'say \"hi\"'")]
    [InlineData("a\nb\tc\rd", "'a\\nb\\tc\\rd'")]
    [InlineData("back\\slash", "'back\\\\slash'")]
    [InlineData("\u0001\u007f", "'\\x01\\x7f'")]
    [InlineData("café — “q”", "'café — “q”'")]
    [InlineData("non\u00a0breaking", "'non\\xa0breaking'")]
    [InlineData("zero\u200bwidth", "'zero\\u200bwidth'")]
    [InlineData("line\u2028sep", "'line\\u2028sep'")]
    [InlineData("emoji 😀 数字", "'emoji 😀 数字'")]
    [InlineData("private \ue000", "'private \\ue000'")]
    [InlineData("", "''")]
    public void Repr_of_strings_matches_python(string value, string expected)
        => Assert.Equal(expected, PythonRepr.String(value));

    [Fact]
    public void Json_dumps_keeps_non_ascii_and_uses_python_separators()
    {
        var node = new JsonObject
        {
            ["a"] = "é\n\u0001\"/<",
            ["b"] = new JsonArray(1, 2.5, true, null, "x"),
            ["c"] = new JsonObject(),
        };

        Assert.Equal("{\"a\": \"é\\n\\u0001\\\"/<\", \"b\": [1, 2.5, true, null, \"x\"], \"c\": {}}", PythonJson.Serialize(node));
    }

    [Fact]
    public void Json_dumps_of_parsed_model_output_keeps_key_order_and_numbers()
    {
        JsonNode parsed = JsonNode.Parse("{\"query\":[\"a\"],\"top_k\":10,\"ratio\":0.5}")!;

        Assert.Equal("{\"query\": [\"a\"], \"top_k\": 10, \"ratio\": 0.5}", PythonJson.Serialize(parsed));
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    public void Floats_print_like_python_repr(double value, string expected)
        => Assert.Equal(expected, PythonJson.PythonFloat(value));
}
