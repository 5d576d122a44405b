using DyCompile.Cli.Models;
using DyCompile.IR;
using DyCompile.Runtime;
using FsCheck.Xunit;

namespace DyCompile.Build.Tests;

public sealed class InputTypeSpecTests
{
    [Theory]
    [InlineData("f32[1,784]", "tensor<f32, [1, 784]>")]
    [InlineData("f32[?,784]", "tensor<f32, [?, 784]>")]
    [InlineData(" i64[ 2 , ? ] ", "tensor<i64, [2, ?]>")]
    [InlineData("bool[]", "tensor<bool, []>")]
    [InlineData("float", "float")]
    [InlineData("int", "int")]
    public void Parses_the_attribute_syntax(string text, string expected)
    {
        var type = InputTypeSpec.TryParse(text, out var error);
        Assert.Null(error);
        Assert.Equal(expected, type!.ToString());
    }

    [Theory]
    [InlineData("f32")]
    [InlineData("f16[1]")]
    [InlineData("f32[1,-2]")]
    [InlineData("f32[1,x]")]
    [InlineData("[1]")]
    [InlineData("")]
    public void Rejects_other_text_with_a_reason(string text)
    {
        Assert.Null(InputTypeSpec.TryParse(text, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    /// <summary>Format and parse are inverse: what the generated code's header says is what the attribute would say.</summary>
    [Property(MaxTest = 200)]
    public void Format_then_parse_is_the_identity(byte dtype, byte[] dims)
    {
        var shape = (dims ?? []).Take(5).Select(d => d % 7 == 0 ? TensorType.Dynamic : d).ToArray();
        var type = new TensorType((DType)(dtype % 4), shape);
        Assert.Equal(type, InputTypeSpec.TryParse(InputTypeSpec.Format(type), out _));
    }

    /// <summary>No text makes the parser throw.</summary>
    [Property(MaxTest = 300)]
    public void Never_throws(string text)
    {
        var type = InputTypeSpec.TryParse(text ?? "", out var error);
        Assert.True(type is null != (error is null));
    }
}
