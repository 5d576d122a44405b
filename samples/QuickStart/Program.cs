using DyCompile.Runtime;

var x = Tensor.FromArray(new[] { 1f, 2f, 3f }, 3);
Console.WriteLine(x);
