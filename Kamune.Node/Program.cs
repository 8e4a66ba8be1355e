return await Kamune.Node.Cli.NodeCli.RunAsync(args);
