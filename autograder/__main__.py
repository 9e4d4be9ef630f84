from autograder.engine.cli import run

run()
