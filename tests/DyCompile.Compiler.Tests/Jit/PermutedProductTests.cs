using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Passes.Fusion;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Self-attention as a model writes it — projections split into heads by reshape and
/// transpose, q scaled, kᵀ by a permute, the weighted values transposed back and merged — compiled
/// with the products reading and writing the heads in place agrees with the interpreter, on heads
/// small enough to run one after another and on heads that run one per core.</summary>
public class PermutedProductTests
{
    private static string Attention(int batch, int tokens, int heads, int dim)
    {
        var model = heads * dim;
        var x = $"tensor<f32, [{batch}, {tokens}, {model}]>";
        return $$"""
            program @p(%x: {{x}}) -> ({{x}}) {
              weight @wq : tensor<f32, [{{model}}, {{model}}]>
              weight @bq : tensor<f32, [{{model}}]>
              weight @wk : tensor<f32, [{{model}}, {{model}}]>
              weight @bk : tensor<f32, [{{model}}]>
              weight @wv : tensor<f32, [{{model}}, {{model}}]>
              weight @bv : tensor<f32, [{{model}}]>
            ^entry(%x: {{x}}):
              %q = linear(%x, @wq, @bq)
              %q4 = reshape(%q) {shape = [{{batch}}, {{tokens}}, {{heads}}, {{dim}}]}
              %qh = transpose(%q4) {dim0 = 1, dim1 = 2}
              %s = const [{{(1f / MathF.Sqrt(dim)).ToString(System.Globalization.CultureInfo.InvariantCulture)}}] : tensor<f32, []>
              %qs = mul(%qh, %s)
              %k = linear(%x, @wk, @bk)
              %k4 = reshape(%k) {shape = [{{batch}}, {{tokens}}, {{heads}}, {{dim}}]}
              %kt = permute(%k4) {dims = [0, 2, 3, 1]}
              %scores = matmul(%qs, %kt)
              %p = softmax(%scores) {dim = -1}
              %v = linear(%x, @wv, @bv)
              %v4 = reshape(%v) {shape = [{{batch}}, {{tokens}}, {{heads}}, {{dim}}]}
              %vh = transpose(%v4) {dim0 = 1, dim1 = 2}
              %o = matmul(%p, %vh)
              %ot = transpose(%o) {dim0 = 1, dim1 = 2}
              %merged = reshape(%ot) {shape = [{{batch}}, {{tokens}}, {{model}}]}
              %y = add(%merged, %x)
              return %y
            }
            """;
    }

    [Theory]
    [InlineData(1, 7, 3, 5)]
    [InlineData(2, 64, 4, 32)]
    public void AttentionWithItsHeadsReadInPlaceAgreesWithTheInterpreter(int batch, int tokens, int heads, int dim)
    {
        var program = IRProgram.Parse(Attention(batch, tokens, heads, dim));
        var rng = new Random(tokens);
        var weights = program.Weights.ToDictionary(w => w.Name, w => RandomData.Tensor(rng, (TensorType)w.Type, 0.3f));
        var compiled = JitCompiler.Compile(program, weights);

        // Both products absorbed every transpose, the permute and the scale.
        var steps = Plans.Steps(compiled).ToList();
        Assert.Equal(2, steps.OfType<PermutedProduct>().Count());
        Assert.DoesNotContain(steps, s => s is NodeStep { Node.Op: "transpose" or "permute" or "matmul" or "mul" });

        var interpreter = new Interpreter();
        for (var k = 0; k < 3; k++)
        {
            var inputs = RandomData.Inputs(program, rng, 2f);
            Assert.Null(Agreement.Compare(interpreter.Run(program, inputs, weights), compiled.Run(inputs), compiled.Partition));
        }
    }
}
