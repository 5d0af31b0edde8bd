using DeepMem.Cli;

return await DeepMemCommand.RunAsync(args);
