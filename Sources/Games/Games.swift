// Games: the GAN as a two-player game — objectives, penalties, update schedules, training.
