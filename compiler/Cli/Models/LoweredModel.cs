using DyCompile.Compiler;
using DyCompile.Runtime.Nn;

namespace DyCompile.Cli.Models;

/// <summary>A model after the frontend: its spec, the instance its weights came from, and the
/// lowering (a program when it succeeded).</summary>
public sealed record LoweredModel(ModelSpec Spec, Module Instance, LoweringResult Lowering);
