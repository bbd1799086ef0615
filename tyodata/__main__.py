from tyodata.cli import app

if __name__ == "__main__":  # a spawned worker process imports this module too
    app()
